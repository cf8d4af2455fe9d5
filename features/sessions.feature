# language: fr
Fonctionnalité: Sessions de stage : jours, effectif, annulation
  Un stage dure deux jours consécutifs, jamais un dimanche ni un jour férié (R31, D12), avec 6 à
  20 stagiaires présents (R32) ; une annulation ne repousse pas l'échéance (R36).

  @R31 @D12
  Plan du scénario: Une session ne peut pas tomber un dimanche ou un jour férié
    Quand l'agent tente de programmer une session les <jour 1> et <jour 2>
    Alors la demande est refusée en citant la règle <règle>

    Exemples:
      | jour 1     | jour 2     | motif                              | règle |
      | 07/03/2026 | 08/03/2026 | dimanche                           | R31   |
      | 11/04/2026 | 13/04/2026 | jours non consécutifs              | D12   |
      | 06/04/2026 | 07/04/2026 | lundi de Pâques                    | R31   |
      | 13/05/2026 | 14/05/2026 | Ascension                          | R31   |
      | 25/05/2026 | 26/05/2026 | lundi de Pentecôte                 | R31   |
      | 30/04/2026 | 01/05/2026 | 1er mai                            | R31   |
      | 13/07/2026 | 14/07/2026 | 14 juillet                         | R31   |
      | 29/03/2027 | 30/03/2027 | lundi de Pâques 2027               | R31   |

  @R31 @D12
  Scénario: Un vendredi et un samedi consécutifs sont acceptés
    Quand l'agent tente de programmer une session les 05/06/2026 et 06/06/2026
    Alors la demande est acceptée

  @R23
  Scénario: Un centre dont l'agrément a expiré ne peut plus programmer de session
    Étant donné un centre dont l'agrément a expiré le 31/12/2025
    Et que nous sommes le 01/03/2026
    Quand l'agent tente de programmer une session les 05/06/2026 et 06/06/2026
    Alors la demande est refusée en citant la règle R23

  @R32 @R41
  Scénario: Une session tenue avec moins de 6 stagiaires passe en examen manuel
    Étant donné un permis non probatoire avec 6 points au 01/01/2026
    Et que nous sommes le 01/03/2026
    Et le conducteur demande un stage volontaire
    Et une session est programmée les 03/06/2026 et 04/06/2026 avec 2 autres stagiaires
    Quand le conducteur s'inscrit à cette session
    Et le conducteur est présent les deux jours
    Alors la session porte le signalement R32
    Quand l'attestation est reçue et validée le 10/06/2026
    Alors le dossier est en examen manuel
    Et le dossier porte le signalement R32
    Quand l'agent crédite le stage après examen manuel
    Alors 4 points sont crédités
    Et le dossier est clos

  @R36 @D1
  Scénario: Une session annulée renvoie le dossier en attente d'inscription sans changer l'échéance
    Étant donné un permis probatoire obtenu le 01/09/2025 avec 3 points
    Et la lettre 48N a été reçue le 10/03/2026
    Et une session est programmée les 05/06/2026 et 06/06/2026 avec 0 autre stagiaire
    Et le conducteur s'inscrit à cette session
    Quand la session est annulée le 01/05/2026 pour « effectif insuffisant »
    Alors le dossier est en attente d'inscription
    Et l'échéance est le 10/07/2026
    Et la session est annulée
    Et l'historique du dossier mentionne « effectif insuffisant »
    Quand l'agent tente d'inscrire le conducteur à cette session
    Alors la demande est refusée en citant la règle R36

  @R36 @D1 @R34
  Scénario: Un stagiaire désinscrit avant la session revient en attente d'inscription sans changer l'échéance
    Étant donné un permis probatoire obtenu le 01/09/2025 avec 3 points
    Et la lettre 48N a été reçue le 10/03/2026
    Et une session est programmée les 05/06/2026 et 06/06/2026 avec 2 autres stagiaires
    Et le conducteur s'inscrit à cette session
    Quand le centre désinscrit le conducteur de la session le 01/05/2026 pour « erreur sur le numéro de permis »
    Alors le dossier est en attente d'inscription
    Et l'échéance est le 10/07/2026
    Et la session est programmée
    Et la session compte 2 stagiaires inscrits
    Et l'historique du dossier mentionne « erreur sur le numéro de permis »
    Quand le conducteur s'inscrit au stage des 12/06/2026 et 13/06/2026
    Alors le dossier est inscrit
    Et l'échéance est le 10/07/2026

  @R34
  Scénario: Un stagiaire ne peut plus être désinscrit une fois la session commencée
    Étant donné un permis probatoire obtenu le 01/09/2025 avec 3 points
    Et la lettre 48N a été reçue le 10/03/2026
    Et une session est programmée les 05/06/2026 et 06/06/2026
    Et le conducteur s'inscrit à cette session
    Quand l'agent tente de désinscrire le conducteur de cette session le 05/06/2026
    Alors la demande est refusée en citant la règle R34
    Et le dossier est inscrit

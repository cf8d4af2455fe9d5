# language: fr
Fonctionnalité: Stage obligatoire du permis probatoire et son échéance de quatre mois
  Un conducteur en permis probatoire qui perd au moins 3 points reçoit la lettre 48N : il doit
  suivre un stage dans les quatre mois qui suivent la réception (R15–R22, D1).

  @R10 @R15 @R17 @R19 @R20 @R26 @R27 @D1 @D3
  Scénario: Stage suivi dans les quatre mois : obligation remplie et points crédités
    Étant donné un permis probatoire obtenu le 01/09/2025 avec 3 points
    Et que nous sommes le 10/03/2026
    Quand la lettre 48N est reçue le 10/03/2026
    Alors l'échéance est le 10/07/2026
    Et l'obligation de stage est en attente
    Quand le conducteur suit le stage des 05/06/2026 et 06/06/2026
    Et l'attestation est reçue le 15/06/2026
    Et l'agent valide l'attestation
    Alors l'obligation de stage est remplie
    Et 3 points sont crédités
    Et le crédit prend effet le 07/06/2026
    Et le solde du permis est de 6 points
    Et le dossier est clos
    Et un courrier « Notification de points crédités » est joint au dossier
    Et un courrier « Décision relative au remboursement de l'amende » est joint au dossier

  @D1 @R17
  Plan du scénario: L'échéance tombe le même jour quatre mois plus tard, ou le dernier jour du mois
    Étant donné un permis probatoire obtenu le 01/09/2024
    Et une infraction de 3 points commise le 01/10/2025
    Quand la lettre 48N est reçue le <réception>
    Alors l'échéance est le <échéance>

    Exemples:
      | réception  | échéance   |
      | 10/03/2026 | 10/07/2026 |
      | 31/10/2025 | 28/02/2026 |
      | 31/10/2027 | 29/02/2028 |
      | 31/05/2026 | 30/09/2026 |
      | 30/06/2026 | 30/10/2026 |

  @D1 @R19 @R21
  Scénario: Un stage dont le dernier jour est le jour de l'échéance est dans les délais
    Étant donné un permis probatoire obtenu le 01/09/2024
    Et une infraction de 3 points commise le 01/10/2025
    Quand la lettre 48N est reçue le 31/10/2025
    Et le conducteur suit le stage des 27/02/2026 et 28/02/2026
    Et le temps passe jusqu'au 01/03/2026
    Alors le dossier n'est pas signalé
    Et aucune tâche n'est ouverte
    Quand l'attestation est reçue et validée le 02/03/2026
    Alors l'obligation de stage est remplie
    Et le dossier est clos

  @R15
  Scénario: Une infraction de 2 points ne déclenche pas de stage obligatoire
    Étant donné un permis probatoire obtenu le 01/09/2025
    Et une infraction de 2 points commise le 01/02/2026
    Quand l'agent tente d'ouvrir un dossier obligatoire sur une 48N reçue le 10/03/2026
    Alors la demande est refusée en citant la règle R15

  @R10 @D11
  Scénario: L'agent apprend en une seule fois les deux dates impossibles de la lettre 48N
    Étant donné un permis probatoire obtenu le 01/09/2025
    Et une infraction de 3 points commise le 01/02/2026, décidée le 10/02/2026
    Et que nous sommes le 10/03/2026
    Quand l'agent saisit une 48N envoyée le 05/02/2026 et reçue le 12/03/2026
    Alors la demande est refusée avec 2 erreurs en une seule fois
    Et le formulaire est refusé : « R10 : la lettre 48N notifie le retrait décidé le 10/02/2026 » pour le champ « sent_on »
    Et le formulaire est refusé : « ne peut être dans le futur (aujourd'hui : 10/03/2026) » pour le champ « received_on »

  @R15 @R16
  Scénario: Un permis qui n'est pas probatoire n'est jamais soumis au stage obligatoire
    Étant donné un permis non probatoire avec 12 points au 01/01/2026
    Et une infraction de 4 points commise le 01/02/2026
    Quand l'agent tente d'ouvrir un dossier obligatoire sur une 48N reçue le 10/03/2026
    Alors la demande est refusée en citant la règle R15

  @R16 @D1
  Scénario: La période probatoire s'apprécie à la date de l'infraction, même si la 48N arrive après
    Étant donné un permis probatoire obtenu le 01/09/2023
    Et une infraction de 3 points commise le 15/08/2026
    Quand la lettre 48N est reçue le 10/10/2026
    Alors l'échéance est le 10/02/2027
    Et l'obligation de stage est en attente

  @R11 @R15
  Scénario: Un retrait qui ramène le solde à zéro donne une 48SI, pas une 48N
    Étant donné un permis probatoire obtenu le 01/09/2025
    Et une infraction de 6 points de classe délit commise le 01/02/2026
    Quand l'agent tente d'ouvrir un dossier obligatoire sur une 48N reçue le 10/03/2026
    Alors la demande est refusée en citant la règle R15
    Et le solde du permis est de 0 points

  @R15 @R11 @R3 @Q9
  Scénario: Un délit commis avant le premier anniversaire et décidé après donne une 48SI, pas une 48N
    Étant donné un permis probatoire classique obtenu le 01/09/2024
    Quand une infraction de 6 points de classe délit commise le 20/08/2025, décidée le 15/09/2025 est enregistrée
    Alors l'infraction ne déclenche pas de lettre 48N, l'explication citant « 6 − 6 = 0 ≤ 0 : lettre 48SI »
    Et le solde du permis est de 0 points

  @R15 @R10 @R3 @Q9
  Scénario: Le message de la 48N donne le solde après le retrait, majoration bloquée comprise
    Étant donné un permis probatoire classique obtenu le 01/09/2024
    Quand une infraction de 3 points commise le 20/08/2025, décidée le 15/09/2025 est enregistrée
    Alors l'infraction déclenche une lettre 48N, l'explication citant « 6 − 3 = 3 > 0 »

  @R18 @R19
  Scénario: Un stage commencé avant la réception de la 48N est signalé sur le dossier
    Étant donné un permis probatoire obtenu le 01/09/2025 avec 3 points
    Et la lettre 48N a été reçue le 10/03/2026
    Et une session est programmée les 06/03/2026 et 07/03/2026 avec 0 autre stagiaire
    Quand le conducteur s'inscrit à cette session
    Alors le dossier porte le signalement R18

  @R18 @Q6 @R21
  Scénario: Un stage suivi avant la réception de la 48N ne compte pas, et le dossier dit pourquoi
    Étant donné un permis probatoire obtenu le 01/09/2025 avec 3 points
    Et le conducteur a suivi un stage volontaire des 20/02/2026 et 21/02/2026 crédité le 25/02/2026
    Quand la lettre 48N est reçue le 10/03/2026
    Et le temps passe jusqu'au 11/07/2026
    Alors le dossier est candidat au signalement
    Et le dossier porte le signalement R18

  @R15 @Q10 @R5
  Scénario: Deux infractions de 2 points commises le même jour ne déclenchent pas de 48N
    Étant donné un permis probatoire obtenu le 01/09/2025
    Et une infraction de 2 points commise le 01/02/2026
    Quand une infraction de 2 points commise le 01/02/2026 est enregistrée
    Alors l'infraction ne déclenche pas de lettre 48N, l'explication citant « infractions simultanées 2 + 2 = 4 points non cumulées »
    Et le solde du permis est de 2 points
    Quand l'agent tente d'ouvrir un dossier obligatoire sur une 48N reçue le 10/03/2026
    Alors la demande est refusée en citant la règle R15

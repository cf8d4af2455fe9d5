# language: fr
Fonctionnalité: Examen manuel des règles incertaines
  Sur une règle incertaine, le logiciel applique la valeur par défaut et le signale ; dans les cas
  prévus (48N revenue NPAI, session irrégulière, solde nul, 48SI), un agent décide (examen manuel).

  Contexte:
    Étant donné un permis probatoire obtenu le 01/09/2025 avec 3 points

  @R17 @D11
  Scénario: 48N non réclamée : l'échéance court depuis la première présentation
    Quand la lettre 48N est présentée le 12/03/2026 mais non réclamée
    Alors l'échéance est le 12/07/2026
    Et le dossier porte le signalement R17

  @R17 @D11
  Scénario: 48N revenue NPAI : pas d'échéance, et le stage passe en examen manuel
    Quand la lettre 48N envoyée le 10/03/2026 revient avec la mention NPAI
    Alors le dossier n'a pas d'échéance
    Et le dossier porte le signalement R17
    Quand le temps passe jusqu'au 01/01/2027
    Alors le dossier n'est pas signalé
    Quand le conducteur suit le stage des 08/01/2027 et 09/01/2027
    Et l'attestation est reçue et validée le 11/01/2027
    Alors le dossier est en examen manuel
    Quand l'agent crédite le stage après examen manuel
    Alors 3 points sont crédités

  @R32 @R41
  Scénario: L'agent refuse le crédit après examen manuel, avec son motif
    Étant donné la lettre 48N a été reçue le 10/03/2026
    Et une session est programmée les 05/06/2026 et 06/06/2026 avec 0 autre stagiaire
    Et le conducteur s'inscrit à cette session
    Quand le conducteur est présent les deux jours
    Et l'attestation est reçue et validée le 08/06/2026
    Et l'agent refuse le crédit après examen manuel pour « Session tenue avec un seul stagiaire »
    Alors aucun point n'est crédité (R32)
    Et le solde du permis est de 3 points

  @R19 @R48 @R32
  Scénario: Un stage refusé à l'examen manuel ne remplit pas l'obligation et n'ouvre pas de remboursement
    Étant donné la lettre 48N a été reçue le 10/03/2026
    Et une session est programmée les 05/06/2026 et 06/06/2026 avec 2 autres stagiaires
    Et le conducteur s'inscrit à cette session
    Quand le conducteur est présent les deux jours
    Et l'attestation est reçue et validée le 08/06/2026
    Et l'agent refuse le crédit après examen manuel pour « Session tenue avec 3 stagiaires »
    Alors aucun point n'est crédité (R32)
    Et l'obligation de stage est en attente
    Et aucun remboursement n'est dû (R32)
    Et l'explication du dossier cite « obligation de stage non remplie par défaut »

  @R17 @D11 @R19 @R48
  Scénario: 48N revenue NPAI : l'agent crédite les points mais décide à part de l'obligation et du remboursement
    Quand la lettre 48N envoyée le 10/03/2026 revient avec la mention NPAI
    Et le conducteur suit le stage des 08/01/2027 et 09/01/2027
    Et l'attestation est reçue et validée le 11/01/2027
    Alors le dossier est en examen manuel
    Quand l'agent crédite le stage après examen manuel, obligation « remplie », remboursement « refusé »
    Alors 3 points sont crédités
    Et l'obligation de stage est remplie
    Et aucun remboursement n'est dû (R48)
    Et l'explication du dossier cite « remboursement refusé (décision de l'agent) »
